import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type uPlot from 'uplot';

import { alignSeries, IDetail, ThinCache, wantsLogScale } from './aligned';
import { chartOptions, IMarkers } from './chartOptions';
import { RunSeries } from './series';

/** uPlot's module, loaded on the first chart shown (it is not needed at JupyterLab start-up). */
let uPlotModule: Promise<typeof uPlot> | null = null;
function loadUPlot(): Promise<typeof uPlot> {
  uPlotModule =
    uPlotModule ??
    import(/* webpackChunkName: "uplot" */ 'uplot').then(m => m.default);
  return uPlotModule;
}

const MIN_HEIGHT = 240;

/**
 * The run view's loss chart at main-area size. It draws a run's series (and optionally a compared
 * run's) thinned to the plot's width; `update()` is cheap to call often, as lumino coalesces update
 * requests into one per animation frame and only the thinned points are copied to uPlot. With no
 * point to draw it shows a line of text and no plot, so a run never shows another run's curves.
 */
export class RunChart extends Widget {
  constructor(trans: TranslationBundle) {
    super();
    this._trans = trans;
    this.addClass('jp-DLCoach-runChart');
    this._plotNode = document.createElement('div');
    this._empty = document.createElement('p');
    this._empty.className = 'jp-DLCoach-muted jp-DLCoach-chartEmpty';
    this._empty.textContent = trans.__(
      'No points yet: the curves appear after the first batches.'
    );
    this.node.append(this._empty, this._plotNode);
    // The node's size comes from the view's flex layout, which changes without lumino resize messages
    // reaching here (a split, the texts below growing): follow it directly.
    if (typeof ResizeObserver !== 'undefined') {
      this._observer = new ResizeObserver(() => this._fit());
      this._observer.observe(this.node);
    }
  }

  /** The run drawn, and the one overlaid (or null); set both, then the chart redraws. */
  setRuns(
    run: RunSeries | null,
    compare: RunSeries | null,
    compareName: string | null
  ): void {
    const rebuild = compareName !== this._compareName || run !== this._run;
    this._run = run;
    this._compare = compare;
    this._compareName = compare ? compareName : null;
    if (rebuild) {
      this._destroy();
      this._detail = null;
      this._zoomAsk++;
    }
    this.update();
  }

  /**
   * Where a zoomed view gets its range at finer resolution (the view's run model); unset, a zoom
   * shows the points held.
   */
  detailSource:
    | ((
        from: number,
        to: number,
        points: number
      ) => Promise<{ x: number[]; y: number[] } | null>)
    | null = null;

  /** The line shown instead of a chart while there is nothing to draw. */
  set emptyText(text: string) {
    this._empty.textContent = text;
  }

  /** Rebuild with the current theme's colours. */
  refreshTheme(): void {
    this._destroy();
    this.update();
  }

  /** The uPlot instance, once drawn (tests and the galata suite read its legend). */
  get plot(): uPlot | null {
    return this._plot;
  }

  dispose(): void {
    this._observer?.disconnect();
    this._destroy();
    super.dispose();
  }

  protected onUpdateRequest(msg: Message): void {
    const runs = [this._run, this._compare].filter(
      (r): r is RunSeries => r !== null
    );
    const empty = runs.length === 0 || runs.every(r => r.isEmpty);
    this._empty.hidden = !empty;
    this._plotNode.hidden = empty;
    if (empty) {
      this._destroy();
      return;
    }
    if (!this.isVisible) {
      return;
    }
    void loadUPlot().then(UPlot => this._draw(UPlot, runs));
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    this._fit();
  }

  protected onAfterAttach(msg: Message): void {
    // Points that arrived before the chart was in the page were not drawn (a restored notebook's output).
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    this.update();
    requestAnimationFrame(() => this._fit());
  }

  private _draw(UPlot: typeof uPlot, runs: RunSeries[]): void {
    if (this.isDisposed || !this._run) {
      return;
    }
    const size = this._size();
    const aligned = alignSeries(
      runs,
      Math.max(50, Math.round(size.width)),
      this._thin,
      this._zoomed ? this._detail : null
    );
    const log = wantsLogScale(aligned.lossRange);
    const best = this._run.best;
    this._markers = {
      unfreezeAt: this._run.unfreezeAt,
      overfitAt: this._run.overfitAt,
      bestAt: best ? best.x : null
    };
    this._describe();
    if (this._plot && log !== this._log) {
      this._destroy();
    }
    this._log = log;
    const data = aligned.data as uPlot.AlignedData;
    if (this._plot) {
      this._fit();
      // Keep a zoom the learner made; otherwise follow the growing run.
      this._plot.setData(data, !this._zoomed);
      return;
    }
    const options = chartOptions({
      node: this.node,
      trans: this._trans,
      ...size,
      log,
      compareName: this._compareName,
      markers: () => this._markers
    });
    options.hooks = {
      ...options.hooks,
      // A drag-zoom is kept while the run grows; a double-click (uPlot's reset) follows it again.
      setSelect: [
        (u: uPlot) => {
          this._zoomed = true;
          if (u.select.width > 0) {
            this._zoomInto(
              u.posToVal(u.select.left, 'x'),
              u.posToVal(u.select.left + u.select.width, 'x')
            );
          }
        }
      ],
      ready: [
        (u: uPlot) =>
          u.over.addEventListener('dblclick', () => {
            this._zoomed = false;
            this._detail = null;
            this._zoomAsk++;
          })
      ]
    };
    this._plot = new UPlot(options, data, this._plotNode);
    this._zoomed = false;
    // The legend's height is known only now (it wraps with the width), and the texts around the chart
    // may still be settling: fit the plot around it now and after the next layout.
    this._fit();
    requestAnimationFrame(() => this._fit());
  }

  /**
   * A drag-zoom into a run whose history came thinned: ask for the range at finer resolution (about
   * two points per pixel), and draw it in place of the held points there once it comes.
   */
  private _zoomInto(from: number, to: number): void {
    const run = this._run;
    const ask = ++this._zoomAsk;
    if (!run || !this.detailSource || !(to > from)) {
      return;
    }
    const points = Math.max(100, Math.round(this._size().width) * 2);
    this.detailSource(from, to, points)
      .then(fine => {
        if (ask !== this._zoomAsk || !fine || this._run !== run) {
          return;
        }
        this._detail = { run, from, to, ...fine };
        this.update();
      })
      .catch(() => {
        // The held (thinned) points stay drawn; the zoom works without the finer ones.
      });
  }

  private _describe(): void {
    const run = this._run!;
    const last = run.epochs[run.epochs.length - 1];
    this.node.setAttribute('role', 'img');
    this.node.setAttribute(
      'aria-label',
      this._trans.__(
        'Loss chart: %1 epochs finished; last validation loss %2, last error rate %3.',
        run.epochs.length,
        last?.valid?.toFixed(3) ?? '–',
        last?.error?.toFixed(3) ?? '–'
      )
    );
  }

  /** Resize the plot to the node when they differ (cheap when they do not). */
  private _fit(): void {
    const plot = this._plot;
    if (!plot || !this.isVisible) {
      return;
    }
    const want = this._size();
    if (want.width !== plot.width || want.height !== plot.height) {
      plot.setSize(want);
    }
  }

  private _size(): { width: number; height: number } {
    const legend = this._plot?.root.querySelector(
      '.u-legend'
    ) as HTMLElement | null;
    const width = Math.max(280, this.node.clientWidth - 16);
    const height = Math.max(
      MIN_HEIGHT,
      // Padding, and room for the legend to wrap one more line when hover values are longer.
      this.node.clientHeight - (legend?.offsetHeight ?? 60) - 40
    );
    return { width, height };
  }

  private _destroy(): void {
    this._plot?.destroy();
    this._plot = null;
  }

  private _trans: TranslationBundle;
  private _plotNode: HTMLDivElement;
  private _empty: HTMLParagraphElement;
  private _run: RunSeries | null = null;
  private _compare: RunSeries | null = null;
  private _compareName: string | null = null;
  private _plot: uPlot | null = null;
  private _log = false;
  private _observer: ResizeObserver | null = null;
  private _thin = new ThinCache();
  private _zoomed = false;
  private _detail: IDetail | null = null;
  private _zoomAsk = 0;
  private _markers: IMarkers = {
    unfreezeAt: null,
    overfitAt: null,
    bestAt: null
  };
}
