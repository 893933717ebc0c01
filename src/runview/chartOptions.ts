import { TranslationBundle } from '@jupyterlab/translation';
import type uPlot from 'uplot';

import { epochTicks } from './aligned';

/** Where the chart draws its vertical markers, in x (epochs). */
export interface IMarkers {
  unfreezeAt: number | null;
  overfitAt: number | null;
  bestAt: number | null;
}

/** A theme variable's current value, read when the chart is (re)built. */
function themeColor(node: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim() || fallback;
}

function fmt(digits: number) {
  return (_u: uPlot, v: number | null) =>
    v === null || v === undefined ? '–' : v.toFixed(digits);
}

/**
 * The run view chart's options: losses on the left axis (log when `log`), the error rate on the
 * right, whole-epoch ticks, a live legend that shows every series' value under the cursor, drag to
 * zoom on x (uPlot resets on double-click), and markers drawn after each redraw.
 */
export function chartOptions(options: {
  node: HTMLElement;
  trans: TranslationBundle;
  width: number;
  height: number;
  log: boolean;
  compareName: string | null;
  markers: () => IMarkers;
}): uPlot.Options {
  const { node, trans, compareName } = options;
  const c = (name: string, fallback: string) =>
    themeColor(node, name, fallback);
  const text = c('--jp-ui-font-color1', '#333');
  const grid = c('--jp-border-color2', '#ddd');
  const family = c('--jp-ui-font-family', 'sans-serif');
  const font = `12px ${family}`;
  const axis = (scale: string, side: number, label: string): uPlot.Axis => ({
    scale,
    side,
    label,
    stroke: text,
    font,
    labelFont: font,
    size: 56,
    labelSize: 18,
    grid: { stroke: grid, width: 1, show: scale !== 'rate' },
    ticks: { stroke: grid, width: 1 }
  });
  const brand = c('--jp-brand-color1', '#1976d2');
  const warn = c('--jp-warn-color1', '#f57c00');
  const ok = c('--jp-success-color1', '#388e3c');
  const bg = c('--jp-layout-color1', '#fff');
  const line = (
    label: string,
    scale: string,
    stroke: string,
    extra: Partial<uPlot.Series>
  ): uPlot.Series => ({
    label,
    scale,
    stroke,
    width: 2,
    spanGaps: true,
    value: fmt(scale === 'rate' ? 3 : 4),
    ...extra
  });
  // Epoch markers while they are a few pixels apart or more: a run of a thousand epochs would draw
  // thousands of circles on every live update (measured: long tasks of ~80 ms at 1,000 epochs).
  const sparse = (u: uPlot) => {
    const x = u.scales.x;
    const epochs = (x.max ?? 0) - (x.min ?? 0);
    return epochs <= 0 || u.bbox.width / devicePixelRatio / epochs >= 6;
  };
  const series: uPlot.Series[] = [
    { label: trans.__('epoch'), value: fmt(2) },
    line(
      trans.__('training loss (per batch, smoothed)'),
      'loss',
      c('--jp-brand-color3', '#90caf9'),
      {
        width: 1,
        points: { show: false }
      }
    ),
    line(trans.__('training loss (epoch)'), 'loss', brand, {
      points: { show: sparse, size: 7, fill: brand }
    }),
    line(trans.__('validation loss'), 'loss', warn, {
      dash: [6, 4],
      points: { show: sparse, size: 8, fill: bg }
    }),
    line(trans.__('error rate'), 'rate', ok, {
      width: 1.5,
      dash: [2, 3],
      points: { show: sparse, size: 6 }
    })
  ];
  if (compareName) {
    const other = c('--jp-ui-font-color2', '#777');
    series.push(
      line(trans.__('other run: training loss (per batch)'), 'loss', other, {
        width: 1,
        alpha: 0.6,
        points: { show: false }
      }),
      line(trans.__('other run: training loss (epoch)'), 'loss', other, {
        points: { show: sparse, size: 5, fill: other }
      }),
      line(trans.__('other run: validation loss'), 'loss', other, {
        dash: [6, 4],
        points: { show: sparse, size: 6, fill: bg }
      }),
      line(trans.__('other run: error rate'), 'rate', other, {
        width: 1,
        dash: [2, 3],
        points: { show: sparse, size: 4 }
      })
    );
  }
  const errorColor = c('--jp-error-color1', '#d32f2f');
  return {
    width: options.width,
    height: options.height,
    scales: {
      // Unzoomed, the axis runs over whole epochs from 0 (an epoch in progress reads to its end); a
      // drag-zoom keeps its own range.
      x: {
        time: false,
        range: (u, min, max) =>
          min <= ((u.data[0]?.[0] as number | undefined) ?? 0)
            ? [0, Math.max(1, Math.ceil(max - 1e-9))]
            : [min, max]
      },
      loss: options.log ? { distr: 3, log: 10 } : { auto: true },
      rate: {
        range: (_u, _min, max) => [
          0,
          Math.min(1, Math.max(0.05, (max ?? 1) * 1.15))
        ]
      }
    },
    cursor: { drag: { x: true, y: false, setScale: true } },
    legend: { live: true },
    axes: [
      {
        ...axis('x', 2, trans.__('epochs')),
        grid: { show: false },
        splits: (_u, _i, min, max) => epochTicks(min, max),
        values: (_u, splits) => splits.map(v => String(v))
      },
      axis(
        'loss',
        3,
        options.log ? trans.__('loss (log scale)') : trans.__('loss')
      ),
      axis('rate', 1, trans.__('error rate'))
    ],
    series,
    hooks: {
      draw: [
        (u: uPlot) => {
          const m = options.markers();
          drawMarker(u, m.unfreezeAt, trans.__('unfrozen'), text, [3, 3], 0);
          drawMarker(
            u,
            m.overfitAt,
            trans.__('overfitting began'),
            errorColor,
            [],
            1
          );
          drawMarker(u, m.bestAt, trans.__('best epoch'), ok, [1, 3], 2);
        }
      ]
    }
  };
}

function drawMarker(
  u: uPlot,
  at: number | null,
  label: string,
  color: string,
  dash: number[],
  row: number
): void {
  if (at === null) {
    return;
  }
  const x = Math.round(u.valToPos(at, 'x', true));
  const { left, top, width, height } = u.bbox;
  if (x < left || x > left + width) {
    return;
  }
  const r = devicePixelRatio;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1.5 * r;
  ctx.setLineDash(dash.map(d => d * r));
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.font = `${11 * r}px sans-serif`;
  // Labels near the right edge go to the left of their line, so none is cut off.
  const w = ctx.measureText(label).width;
  const tx = x + 4 * r + w > left + width ? x - 4 * r - w : x + 4 * r;
  ctx.fillText(label, tx, top + (12 + 14 * row) * r);
  ctx.restore();
}
