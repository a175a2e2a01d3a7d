// The key panel: a key's value (JSON pretty-printed and coloured, anything else raw), its
// revisions, version and TTL left; editing, creating and deleting with If-Match, and the conflict
// view when the key changed meanwhile.
import { ApiError, deleteKey, putKey, readKey, type Entry, type Expectation, type KeyRead } from './api';
import { button, byId, el, keyText } from './dom';
import type { Change } from './live';
import { prettyJson } from './pretty-json';

/** What the panel tells the page. */
export interface DetailListener {
  failed(error: unknown): void;
  /** A short line for the live region ("Saved", "Deleted"). */
  said(text: string): void;
}

/** What the user meant to do when the key turned out to have changed. */
type Intent = { readonly kind: 'put'; readonly value: string; readonly ttl?: string } | { readonly kind: 'delete' };

type State =
  | { readonly mode: 'empty' }
  | { readonly mode: 'view'; readonly key: string; readonly read: KeyRead | undefined }
  | { readonly mode: 'edit'; readonly key: string | undefined; readonly base: KeyRead | undefined }
  | { readonly mode: 'conflict'; readonly key: string; readonly intent: Intent; readonly current: KeyRead | undefined };

/** The key panel. */
export class DetailPanel {
  private state: State = { mode: 'empty' };
  private readonly panel = byId<HTMLElement>('detail');
  private countdown: ReturnType<typeof setInterval> | undefined;
  /** Set while editing when another client changed the key: shown above the form. */
  private staleNotice: HTMLElement | undefined;

  constructor(private readonly listener: DetailListener) {
    this.render();
  }

  /** Shows `key`, read now. */
  async show(key: string): Promise<void> {
    try {
      this.state = { mode: 'view', key, read: await readKey(key) };
      this.render();
      byId('detail-heading').focus();
    } catch (error) {
      this.listener.failed(error);
    }
  }

  /** Opens an empty editor for a new key, its name starting with `prefix`. */
  create(prefix: string): void {
    this.state = { mode: 'edit', key: undefined, base: undefined };
    this.render();
    const name = byId<HTMLInputElement>('edit-key');
    name.value = prefix;
    name.focus();
  }

  /** Follows changes of the key shown: a view shows the new entry, an editor warns. */
  apply(revision: number, changes: readonly Change[]): void {
    const state = this.state;
    if (state.mode !== 'view' && state.mode !== 'edit') return;
    const key = state.key;
    const change = changes.findLast((candidate) => candidate.entry.key === key);
    if (change === undefined) return;
    if (state.mode === 'view') {
      const read =
        change.type === 'delete' ? undefined : { value: change.entry.value ?? '', revision, entry: change.entry };
      this.state = { mode: 'view', key: state.key, read };
      this.render();
    } else if (this.staleNotice !== undefined) {
      const what = change.type === 'delete' ? 'was deleted' : `changed (mod revision ${change.entry.mod_revision})`;
      this.staleNotice.textContent = `Another client: this key ${what} since you opened it; saving will show both values.`;
      this.staleNotice.hidden = false;
    }
  }

  private render(): void {
    clearInterval(this.countdown);
    this.staleNotice = undefined;
    const state = this.state;
    const heading = el('h2', { attrs: { id: 'detail-heading', tabindex: '-1' } });
    let body: Node[];
    if (state.mode === 'empty') {
      heading.textContent = 'No key selected';
      body = [el('p', { className: 'hint', text: 'Pick a key from the list, or create one.' })];
    } else if (state.mode === 'view') {
      heading.append('Key ', keyText(state.key));
      body = this.viewOf(state.key, state.read);
    } else if (state.mode === 'edit') {
      if (state.key === undefined) heading.textContent = 'New key';
      else heading.append('Edit ', keyText(state.key));
      body = this.editorOf(state.key, state.base);
    } else {
      heading.append('Conflict on ', keyText(state.key));
      body = this.conflictOf(state.key, state.intent, state.current);
    }
    this.panel.replaceChildren(heading, ...body);
  }

  private viewOf(key: string, read: KeyRead | undefined): Node[] {
    if (read === undefined) {
      return [el('p', { className: 'gone', attrs: { role: 'status' }, text: 'This key does not exist (now).' })];
    }
    const { entry } = read;
    const ttl = el('dd', { attrs: { id: 'ttl' } });
    const facts = el(
      'dl',
      { className: 'facts' },
      el('dt', { text: 'Create revision' }),
      el('dd', { text: String(entry.create_revision), attrs: { id: 'create-revision' } }),
      el('dt', { text: 'Mod revision' }),
      el('dd', { text: String(entry.mod_revision), attrs: { id: 'mod-revision' } }),
      el('dt', { text: 'Version' }),
      el('dd', { text: String(entry.version), attrs: { id: 'version' } }),
      el('dt', { text: 'TTL left' }),
      ttl,
      ...(read.lease === undefined ? [] : [el('dt', { text: 'Lease' }), el('dd', { text: read.lease })]),
    );
    this.startCountdown(ttl, entry);
    const actions = el(
      'div',
      { className: 'actions' },
      button('Edit', () => this.edit(read)),
      button('Delete', () => this.confirmDelete(key, entry, actions), { className: 'danger' }),
    );
    return [facts, valueView(read.value, 'value-view', 'Value'), actions];
  }

  private startCountdown(target: HTMLElement, entry: Entry): void {
    const deadline = entry.expires_at_ms;
    if (deadline === undefined) {
      target.textContent = 'none';
      return;
    }
    const tick = (): void => {
      const left = deadline - Date.now();
      target.textContent = left > 0 ? `${Math.ceil(left / 1000)} s` : 'expired';
      if (left <= 0) clearInterval(this.countdown);
    };
    tick();
    this.countdown = setInterval(tick, 250);
  }

  private edit(base: KeyRead): void {
    this.state = { mode: 'edit', key: base.entry.key, base };
    this.render();
    byId<HTMLTextAreaElement>('edit-value').focus();
  }

  private editorOf(key: string | undefined, base: KeyRead | undefined): Node[] {
    const notice = el('p', { className: 'notice', attrs: { role: 'status' } });
    notice.hidden = true;
    this.staleNotice = notice;
    const form = el('form', { className: 'editor', attrs: { 'aria-label': 'Edit key' } });
    const nameField =
      key === undefined
        ? [
            el('label', { text: 'Key', attrs: { for: 'edit-key' } }),
            el('input', { attrs: { id: 'edit-key', required: '', autocomplete: 'off', spellcheck: 'false' } }),
          ]
        : [];
    const value = el('textarea', { attrs: { id: 'edit-value', rows: '10', spellcheck: 'false' } });
    value.value = base?.value ?? '';
    // A text area turns every CR LF and CR into LF (HTML's rule): say so before a save changes them.
    const carriageReturns = base?.value.includes('\r')
      ? [
          el('p', {
            className: 'notice',
            text: 'This value holds carriage returns (CR); the editor turns them into line feeds (LF).',
          }),
        ]
      : [];
    const ttl = el('input', {
      attrs: { id: 'edit-ttl', autocomplete: 'off', placeholder: 'e.g. 30s, 10m, 2h', 'aria-describedby': 'ttl-hint' },
    });
    form.append(
      ...nameField,
      el('label', { text: 'Value', attrs: { for: 'edit-value' } }),
      ...carriageReturns,
      value,
      el('label', { text: 'TTL', attrs: { for: 'edit-ttl' } }),
      ttl,
      el('p', {
        className: 'hint',
        attrs: { id: 'ttl-hint' },
        text: 'Empty: the key does not expire (a save clears any TTL it had).',
      }),
      el(
        'div',
        { className: 'actions' },
        el('button', { text: key === undefined ? 'Create' : 'Save', attrs: { type: 'submit' } }),
        button('Cancel', () => void (key === undefined ? this.reset() : this.show(key))),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = key ?? byId<HTMLInputElement>('edit-key').value;
      if (name === '') return;
      const intent: Intent = { kind: 'put', value: value.value, ttl: ttl.value.trim() || undefined };
      const expected: Expectation = base === undefined ? { absent: true } : { modRevision: base.entry.mod_revision };
      void this.perform(name, intent, expected);
    });
    return [notice, form];
  }

  private reset(): void {
    this.state = { mode: 'empty' };
    this.render();
  }

  private confirmDelete(key: string, entry: Entry, actions: HTMLElement): void {
    actions.replaceChildren(
      el('span', { text: 'Delete this key?' }),
      button('Yes, delete', () => void this.perform(key, { kind: 'delete' }, { modRevision: entry.mod_revision }), {
        className: 'danger',
      }),
      button('Cancel', () => this.render()),
    );
    (actions.querySelector('button') as HTMLButtonElement).focus();
  }

  /** Writes or deletes if the key is still as expected; if it changed meanwhile, shows the conflict. */
  private async perform(key: string, intent: Intent, expected: Expectation): Promise<void> {
    try {
      if (intent.kind === 'put') await putKey(key, intent.value, intent.ttl, expected);
      else await deleteKey(key, expected);
      this.listener.said(intent.kind === 'put' ? 'Saved' : 'Deleted');
      await this.show(key);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'PRECONDITION_FAILED') {
        this.listener.failed(error);
        return;
      }
      try {
        this.state = { mode: 'conflict', key, intent, current: await readKey(key) };
        this.render();
        byId('detail-heading').focus();
      } catch (again) {
        this.listener.failed(again);
      }
    }
  }

  private conflictOf(key: string, intent: Intent, current: KeyRead | undefined): Node[] {
    const explanation = el('p', {
      attrs: { role: 'alert' },
      text:
        current === undefined
          ? 'Another client deleted this key since you opened it.'
          : `Another client changed this key since you opened it (now mod revision ${current.entry.mod_revision}).`,
    });
    const mine =
      intent.kind === 'put'
        ? valueView(intent.value, 'conflict-mine', 'Your value')
        : el('p', { text: 'You asked to delete it.' });
    const theirs =
      current === undefined
        ? el('p', { text: 'Current value: none (deleted).' })
        : valueView(current.value, 'conflict-current', 'Current value');
    const expected: Expectation =
      current === undefined ? { absent: true } : { modRevision: current.entry.mod_revision };
    const overwrite = intent.kind === 'put' ? 'Overwrite with mine' : 'Delete anyway';
    const actions = el(
      'div',
      { className: 'actions' },
      button('Reload current', () => void this.show(key)),
      ...(intent.kind === 'delete' && current === undefined
        ? []
        : [button(overwrite, () => void this.perform(key, intent, expected), { className: 'danger' })]),
    );
    return [explanation, el('div', { className: 'conflict' }, mine, theirs), actions];
  }
}

/** A value under a label: pretty-printed and coloured when it is JSON, else as it is. */
function valueView(value: string, id: string, label: string): HTMLElement {
  const tokens = prettyJson(value);
  const pre = el('pre', { className: tokens === undefined ? 'value raw' : 'value json', attrs: { id } });
  if (tokens === undefined) pre.textContent = value;
  else
    pre.append(
      ...tokens.map((token) =>
        token.kind === 'space' ? token.text : el('span', { className: `json-${token.kind}`, text: token.text }),
      ),
    );
  return el(
    'figure',
    { className: 'value-box' },
    el('figcaption', { text: tokens === undefined ? label : `${label} (JSON)` }),
    pre,
  );
}
