// The token prompt: shown when the service answers 401; the token lives in sessionStorage and
// goes out only as a bearer header.
import { tokens, type ApiError } from './api';
import { byId } from './dom';

/** The token dialog. */
export class TokenPrompt {
  private readonly dialog = byId<HTMLDialogElement>('token-dialog');
  private readonly input = byId<HTMLInputElement>('token-input');
  private readonly reason = byId<HTMLElement>('token-reason');

  constructor(private readonly changed: () => void) {
    byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = this.input.value.trim();
      if (token === '') return;
      tokens.set(token);
      this.input.value = '';
      this.dialog.close();
      this.changed();
    });
    byId('token-cancel').addEventListener('click', () => this.dialog.close());
    byId('token-button').addEventListener('click', () => this.open());
    byId('token-forget').addEventListener('click', () => {
      tokens.clear();
      this.changed();
    });
  }

  /** Asks for a token, saying why (the refusal, when there is one). */
  open(refusal?: ApiError): void {
    this.reason.textContent =
      refusal === undefined
        ? 'Paste a bearer token (kept for this tab only).'
        : `The service refused the request: ${refusal.describe()}. Paste a bearer token (kept for this tab only).`;
    if (!this.dialog.open) this.dialog.showModal();
    this.input.focus();
  }
}
