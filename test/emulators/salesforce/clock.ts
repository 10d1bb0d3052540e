/** The emulator's "now": real time by default; tests freeze it at an instant and advance it instead of waiting. */
export class EmulatorClock {
  private frozenAt: number | undefined;

  constructor(start?: number) {
    this.frozenAt = start;
  }

  now(): number {
    return this.frozenAt ?? Date.now();
  }

  /** Freeze at `ms`; `undefined` goes back to real time. */
  set(ms: number | undefined): void {
    this.frozenAt = ms;
  }

  /** Moves a frozen clock forward (freezing it at real now first if it was running). */
  advance(ms: number): number {
    this.frozenAt = (this.frozenAt ?? Date.now()) + ms;
    return this.frozenAt;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }
}
