// The status panel: GET /v1/status every few seconds, and the live feed's state.
import { ApiError, readStatus, type ServiceStatus } from './api';
import { byId, el } from './dom';

const POLL_MS = 5000;

/** The status panel in the header. */
export class StatusPanel {
  private readonly facts = byId<HTMLElement>('status-facts');
  private readonly live = byId<HTMLElement>('live-state');
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly failed: (error: unknown) => void) {}

  /** Reads the status now and every few seconds from now on. */
  start(): void {
    clearInterval(this.timer);
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Shows the live feed's state. */
  liveState(state: 'live' | 'reconnecting' | 'stopped'): void {
    this.live.textContent = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'not live';
    this.live.className = `live-${state}`;
  }

  /** Moves the shown revision forward when the watch saw a newer one. */
  revision(revision: number): void {
    const shown = byId<HTMLElement>('status-facts').querySelector('[data-field="revision"]');
    if (shown !== null && Number(shown.textContent) < revision) shown.textContent = String(revision);
  }

  private async refresh(): Promise<void> {
    try {
      this.render(await readStatus());
    } catch (error) {
      // Without a (good) token polling again cannot help; a service that is down may come back.
      if (error instanceof ApiError && error.status < 500) this.stop();
      this.failed(error);
    }
  }

  private render(status: ServiceStatus): void {
    const fact = (label: string, field: string, value: string, tone = ''): Node[] => [
      el('dt', { text: label }),
      el('dd', { text: value, className: tone, attrs: { 'data-field': field } }),
    ];
    this.facts.replaceChildren(
      ...fact('Revision', 'revision', String(status.revision)),
      ...fact('Keys', 'keys', String(status.keys)),
      ...fact('Log', 'log_health', status.log_health, status.log_health === 'ok' ? 'good' : 'bad'),
      ...fact('Readiness', 'readiness', status.readiness, status.readiness === 'ready' ? 'good' : 'bad'),
      ...fact('Version', 'version', status.version),
    );
  }
}
