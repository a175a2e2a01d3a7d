import type { IRouter, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../platform/logging/logger';
import { sendError } from './http-status';
import type { UiAsset } from './ui-assets';

/**
 * The security headers of every UI answer: scripts, styles and fetches from this origin only (no
 * inline script or style, no eval), never framed, no MIME sniffing, no referrer leaving the page.
 */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const NOT_SERVED = 'no such route; the API is /v1/key/{key}';

/**
 * The handlers of the web UI (/ui/ and /ui/{asset}) over the built assets; with none (KVS_UI=false,
 * or the UI not built: logged once) both answer 404 NO_SUCH_ROUTE, as any unknown path does.
 */
export function uiHandlers(
  assets: ReadonlyMap<string, UiAsset> | undefined,
  enabled: boolean,
  logger: Logger,
): Readonly<Record<string, RequestHandler>> {
  if (enabled && assets === undefined) {
    logger.warn(
      { event: 'ui_not_built' },
      'KVS_UI is on but the web UI is not built (npm run build): /ui/ answers 404',
    );
  }
  const served = enabled ? assets : undefined;
  const answer = (name: string, req: Request, res: Response): void => {
    const asset = served?.get(name);
    if (asset === undefined) {
      sendError(res, 'NO_SUCH_ROUTE', NOT_SERVED);
      return;
    }
    for (const [header, value] of Object.entries(UI_SECURITY_HEADERS)) res.setHeader(header, value);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', asset.contentType);
    res.end(asset.body);
  };
  return {
    UiIndex: (req: Request, res: Response) => answer('index.html', req, res),
    // index.html only at /ui/, so that relative asset paths resolve.
    UiAsset: (req: Request, res: Response) =>
      answer(req.params.asset === 'index.html' ? '' : (req.params.asset as string), req, res),
  };
}

/** /ui without its slash moves to /ui/ (permanently) while the UI is served. */
export function addUiRedirect(router: IRouter, enabled: boolean): void {
  if (!enabled) return;
  router.route('/ui').all((req: Request, res: Response) => {
    const query = req.url.indexOf('?');
    res.redirect(308, `/ui/${query < 0 ? '' : req.url.slice(query)}`);
  });
}
