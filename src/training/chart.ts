import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import uPlot from 'uplot';

import { IChartData } from './chartData';

const HEIGHT = 220;

/** A theme variable's current value, so the chart follows the light and dark themes. */
function themeColor(node: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim() || fallback;
}

/**
 * The live loss chart: smoothed training loss per batch, training and validation loss per epoch, the
 * error rate on its own axis, and vertical markers where fine_tune unfroze and where overfitting began.
 * Series differ by dash and point shape as well as colour, and the legend names them.
 */
export class LossChart extends Widget {
  constructor(trans: TranslationBundle) {
    super();
    this._trans = trans;
    this.addClass('jp-DLCoach-chart');
    this.node.setAttribute('role', 'img');
  }

  /** Show new data; cheap enough to set on every push message (updates are batched per frame). */
  set data(data: IChartData | null) {
    this._data = data;
    this.update();
  }

  /** Rebuild with the current theme's colours. */
  refreshTheme(): void {
    this._plot?.destroy();
    this._plot = null;
    this.update();
  }

  protected onUpdateRequest(msg: Message): void {
    const data = this._data;
    if (!data || data.x.length === 0 || !this.isVisible) {
      return;
    }
    const aligned: uPlot.AlignedData = [
      data.x,
      data.smoothLoss,
      data.trainLoss,
      data.validLoss,
      data.errorRate
    ];
    this._markers = { unfreezeAt: data.unfreezeAt, overfitAt: data.overfitAt };
    this.node.setAttribute(
      'aria-label',
      this._trans.__(
        'Loss chart: %1 epochs finished; last validation loss %2, last error rate %3.',
        data.epochs,
        lastValue(data.validLoss) ?? '–',
        lastValue(data.errorRate) ?? '–'
      )
    );
    if (this._plot) {
      this._plot.setData(aligned);
      return;
    }
    this._plot = new uPlot(this._options(), aligned, this.node);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    this._plot?.setSize({ width: this._width(), height: HEIGHT });
  }

  protected onAfterShow(msg: Message): void {
    this.update();
  }

  dispose(): void {
    this._plot?.destroy();
    super.dispose();
  }

  private _width(): number {
    const style = getComputedStyle(this.node);
    const padding =
      parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) || 0;
    return Math.max(200, (this.node.clientWidth || 260) - padding);
  }

  private _options(): uPlot.Options {
    const trans = this._trans;
    const node = this.node;
    const c = (name: string, fallback: string) =>
      themeColor(node, name, fallback);
    const text = c('--jp-ui-font-color1', '#333');
    const grid = c('--jp-border-color2', '#ddd');
    const font = `11px ${c('--jp-ui-font-family', 'sans-serif')}`;
    const axis = (scale: string, side: number, label: string): uPlot.Axis => ({
      scale,
      side,
      label,
      stroke: text,
      font,
      labelFont: font,
      size: 40,
      labelSize: 14,
      grid: { stroke: grid, width: 1, show: scale === 'loss' },
      ticks: { stroke: grid, width: 1 }
    });
    const brand = c('--jp-brand-color1', '#1976d2');
    const warn = c('--jp-warn-color1', '#f57c00');
    const markers = () => this._markers;
    return {
      width: this._width(),
      height: HEIGHT,
      scales: {
        x: { time: false },
        loss: { auto: true },
        rate: { range: [0, 1] }
      },
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { ...axis('x', 2, trans.__('epochs')), grid: { show: false } },
        axis('loss', 3, trans.__('loss')),
        axis('rate', 1, trans.__('error rate'))
      ],
      series: [
        {},
        {
          label: trans.__('training loss (per batch, smoothed)'),
          scale: 'loss',
          stroke: c('--jp-brand-color3', '#90caf9'),
          width: 1,
          points: { show: false },
          spanGaps: true
        },
        {
          label: trans.__('training loss (epoch)'),
          scale: 'loss',
          stroke: brand,
          width: 2,
          points: { show: true, size: 7, fill: brand },
          spanGaps: true
        },
        {
          label: trans.__('validation loss'),
          scale: 'loss',
          stroke: warn,
          width: 2,
          dash: [6, 4],
          points: {
            show: true,
            size: 8,
            fill: c('--jp-layout-color1', '#fff')
          },
          spanGaps: true
        },
        {
          label: trans.__('error rate'),
          scale: 'rate',
          stroke: c('--jp-success-color1', '#388e3c'),
          width: 1.5,
          dash: [2, 3],
          points: { show: true, size: 5 },
          spanGaps: true
        }
      ],
      hooks: {
        draw: [
          (u: uPlot) => {
            const { unfreezeAt, overfitAt } = markers();
            drawMarker(u, unfreezeAt, trans.__('unfrozen'), text, [3, 3]);
            drawMarker(
              u,
              overfitAt,
              trans.__('overfitting began'),
              c('--jp-error-color1', '#d32f2f'),
              []
            );
          }
        ]
      }
    };
  }

  private _trans: TranslationBundle;
  private _data: IChartData | null = null;
  private _plot: uPlot | null = null;
  private _markers: { unfreezeAt: number | null; overfitAt: number | null } = {
    unfreezeAt: null,
    overfitAt: null
  };
}

function lastValue(values: (number | null)[]): string | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null) {
      return v.toFixed(3);
    }
  }
  return null;
}

function drawMarker(
  u: uPlot,
  at: number | null,
  label: string,
  color: string,
  dash: number[]
): void {
  if (at === null) {
    return;
  }
  const x = Math.round(u.valToPos(at, 'x', true));
  const { top, height } = u.bbox;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash(dash.map(d => d * devicePixelRatio));
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  ctx.fillText(label, x + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
  ctx.restore();
}
