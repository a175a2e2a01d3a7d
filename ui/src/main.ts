// The web UI's entry point (bundled by ui/build.mjs into dist/ui/app.js): wires the panels to the
// live feed and reports every refusal plainly.
import { ApiError } from './api';
import { TokenPrompt } from './auth';
import { KeyBrowser } from './browser';
import { DetailPanel } from './detail';
import { byId } from './dom';
import { LiveFeed } from './live';
import { StatusPanel } from './status';

const message = byId<HTMLElement>('message');
const said = byId<HTMLElement>('said');

/** Shows a failure in the alert region; a 401 also asks for a token. */
function failed(error: unknown): void {
  const text = error instanceof ApiError ? error.describe() : `Request failed: ${String(error)}`;
  message.textContent = text;
  message.hidden = false;
  if (error instanceof ApiError && error.status === 401) prompt.open(error);
}

function clearMessage(): void {
  message.textContent = '';
  message.hidden = true;
}

const status = new StatusPanel(failed);
const detail = new DetailPanel({
  failed,
  said: (text) => {
    clearMessage();
    said.textContent = text;
  },
});
const live = new LiveFeed({
  changed: (revision, changes) => {
    browser.apply(changes);
    detail.apply(revision, changes);
    status.revision(revision);
  },
  state: (state) => status.liveState(state),
  resync: () => browser.reload(),
  refused: failed,
});
const browser = new KeyBrowser({
  open: (key) => void detail.show(key),
  listed: (scope, revision) => live.follow(scope, revision + 1),
  failed,
});
const prompt = new TokenPrompt(() => start());

byId('new-key').addEventListener('click', () => detail.create(browser.currentFolder));

/** (Re)starts everything, as after a new token. */
function start(): void {
  clearMessage();
  live.stop();
  status.start();
  browser.openFolder(browser.currentFolder);
}

start();
