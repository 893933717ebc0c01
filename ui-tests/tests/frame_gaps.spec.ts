/**
 * A benchmark, not part of the suite: run it with DLCOACH_BENCH=1 (see docs/api.md, "Measured").
 *
 * For runs of 1k, 10k, 100k and 1M batch points written into the server's store by another process
 * (bench/live_run.py, as a notebook kernel writes them), it opens the run view, then keeps live batches
 * coming (10 every 0.1 s) for a few seconds, and records in the browser:
 *   - open: from the open command to the chart drawn with the whole history;
 *   - the gaps between animation frames while live updates arrive (target: none over 50 ms), and the
 *     same view's gaps for a few seconds before, with nothing arriving (the machine's own), with the
 *     page's long tasks (main thread busy over 50 ms) in each phase;
 *   - per update: the time to take a push message into the run's series, and to redraw the chart
 *     (thinning, aligning, uPlot's setData and paint).
 * The figures go to test-results/frame-gaps.json and the console.
 */
import { expect, test } from '@jupyterlab/galata';
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';

const SIZES = (process.env.DLCOACH_BENCH_SIZES || '1000,10000,100000,1000000')
  .split(',')
  .map(Number);
const LIVE_S = 8;
const IDLE_S = 4;

test.skip(!process.env.DLCOACH_BENCH, 'a benchmark: set DLCOACH_BENCH=1');
test.use({ viewport: { width: 1400, height: 900 } });

class Writer {
  constructor(db: string, batches: number) {
    const script = path.resolve(__dirname, '../../bench/live_run.py');
    this.proc = spawn(process.env.PYTHON || 'python', [
      script,
      db,
      '--batches',
      String(batches)
    ]);
    this.lines = readline.createInterface({ input: this.proc.stdout });
    this.lines.on('line', line => this.waiting.shift()?.(JSON.parse(line)));
  }

  next(): Promise<any> {
    return new Promise(resolve => this.waiting.push(resolve));
  }

  live(seconds: number): Promise<any> {
    const answer = this.next();
    this.proc.stdin.write(`${seconds}\n`);
    return answer;
  }

  end(): void {
    this.proc.stdin.end();
  }

  proc: ChildProcessWithoutNullStreams;
  lines: readline.Interface;
  waiting: ((value: any) => void)[] = [];
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
      : NaN;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: values.length,
    median: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1] ?? NaN)
  };
}

test('frame gaps and update cost while a long run is followed live', async ({
  page
}) => {
  test.setTimeout(900 * 1000);
  const db = process.env.DLCOACH_GALATA_DB;
  expect(db, 'the server must use DLCOACH_GALATA_DB as its store').toBeTruthy();
  const results: any[] = [];
  for (const size of SIZES) {
    const writer = new Writer(db!, size);
    const { run_id: id, last_seq: lastSeq } = await writer.next();
    const open = await page.evaluate(
      async ({ id, lastSeq }) => {
        const app = (window as any).jupyterapp;
        const t0 = performance.now();
        const view = await app.commands.execute('dlcoach:open-run', {
          id,
          mode: 'tab-after'
        });
        while (!(view.model.series.lastSeq >= lastSeq && view.chart.plot)) {
          await new Promise(r => requestAnimationFrame(r));
        }
        const ms = performance.now() - t0;
        // Instrument this view: the push messages taken in, the chart's redraws, the frames.
        const bench: any = {
          handles: [],
          draws: [],
          gaps: [],
          idleGaps: [],
          longTasks: [],
          idleLongTasks: [],
          live: false,
          on: true
        };
        (window as any).__bench = bench;
        const handle = view.model.handle.bind(view.model);
        view.model.handle = (m: any) => {
          const t = performance.now();
          handle(m);
          if (m.type === 'events') {
            bench.handles.push(performance.now() - t);
          }
        };
        const draw = view.chart._draw.bind(view.chart);
        view.chart._draw = (...args: any[]) => {
          const t = performance.now();
          draw(...args);
          // uPlot paints in a microtask queued by setData, before this one.
          queueMicrotask(() => bench.draws.push(performance.now() - t));
        };
        // Long tasks (over 50 ms of the page's main thread): a gap without one is the machine's, not
        // this page's work.
        new PerformanceObserver(list => {
          for (const entry of list.getEntries()) {
            (bench.live ? bench.longTasks : bench.idleLongTasks).push(
              entry.duration
            );
          }
        }).observe({ type: 'longtask' });
        let last = performance.now();
        const frame = (t: number) => {
          (bench.live ? bench.gaps : bench.idleGaps).push(t - last);
          last = t;
          if (bench.on) {
            requestAnimationFrame(frame);
          }
        };
        requestAnimationFrame(frame);
        return { ms, held: view.model.series.batchCount };
      },
      { id, lastSeq }
    );
    // First the same view with nothing arriving: the machine's own frame gaps, for comparison.
    await page.waitForTimeout(IDLE_S * 1000);
    await page.evaluate(() => ((window as any).__bench.live = true));
    const { last_seq: liveTo } = await writer.live(LIVE_S);
    await page.evaluate(async liveTo => {
      const bench = (window as any).__bench;
      const app = (window as any).jupyterapp;
      const started = performance.now();
      const views = [...app.shell.widgets('main')].filter(
        (w: any) => w.model?.series
      );
      const view = views[views.length - 1];
      while (
        view.model.series.lastSeq < liveTo &&
        performance.now() - started < 30000
      ) {
        await new Promise(r => setTimeout(r, 100));
      }
      bench.on = false;
      view.close();
    }, liveTo);
    const bench = await page.evaluate(() => (window as any).__bench);
    writer.end();
    const gaps: number[] = bench.gaps;
    const idle: number[] = bench.idleGaps.slice(1);
    const result = {
      batches: size,
      open_ms: Math.round(open.ms),
      points_held_at_open: open.held,
      frames: gaps.length,
      frame_gap_ms: summary(gaps),
      gaps_over_50ms: gaps.filter(g => g > 50).length,
      long_tasks: summary(bench.longTasks),
      idle_frame_gap_ms: summary(idle),
      idle_gaps_over_50ms: idle.filter(g => g > 50).length,
      idle_long_tasks: summary(bench.idleLongTasks),
      handle_ms: summary(bench.handles),
      redraw_ms: summary(bench.draws)
    };
    results.push(result);
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  const out = path.resolve(__dirname, '../test-results/frame-gaps.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
});
