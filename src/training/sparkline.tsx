import * as React from 'react';

const WIDTH = 60;
const HEIGHT = 16;

/**
 * A run's validation loss per epoch as a tiny line for the run list (an SVG, no chart library); the
 * last point is marked. Nothing with fewer than two epochs.
 */
export function Sparkline(props: {
  values: number[];
  label: string;
}): React.ReactElement | null {
  const values = props.values.filter(v => Number.isFinite(v));
  if (values.length < 2) {
    return null;
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const points = values.map((v, i) => [
    (i / (values.length - 1)) * (WIDTH - 4) + 2,
    HEIGHT - 2 - ((v - lo) / span) * (HEIGHT - 4)
  ]);
  const [lastX, lastY] = points[points.length - 1];
  return (
    <svg
      className="jp-DLCoach-sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={props.label}
    >
      <polyline
        points={points.map(p => p.map(n => n.toFixed(1)).join(',')).join(' ')}
        fill="none"
      />
      <circle cx={lastX} cy={lastY} r={1.8} />
    </svg>
  );
}
