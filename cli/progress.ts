/** A one-line progress bar on a terminal: done/total, percent, rate and time left. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly started = Date.now();
  private lastLength = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, total: number | undefined, label: string): void {
    if (!this.enabled) return;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const width = 28;
    const share = total ? Math.min(1, done / total) : 0;
    const bar = total ? '█'.repeat(Math.round(share * width)).padEnd(width, '░') : '░'.repeat(width);
    const eta = total && rate > 0 ? formatDuration((total - done) / rate) : '–';
    const line = `${bar} ${total ? `${(share * 100).toFixed(0).padStart(3)}%` : '   '} ${done}/${total ?? '?'} ${label} · ${Math.round(rate)}/s · ETA ${eta}`;
    this.stream.write(`\r${line.padEnd(this.lastLength)}`);
    this.lastLength = line.length;
  }

  finish(): void {
    if (this.enabled && this.lastLength > 0) this.stream.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/** A two-column table for summaries. */
export function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}
