import type { Request } from 'express';
import { InvalidRequestError } from '../../core';

/**
 * The query parameters of a request, decoded strictly. Hand-rolled because express's and
 * URLSearchParams' parsers turn bytes that are not UTF-8 into U+FFFD without a word, and a
 * delete of `prefix=%FF` must be refused, not run on the prefix "\uFFFD". Every parameter must
 * be one the route accepts (a misspelt `prefx` is a 400, not a selector quietly missing) and
 * given at most once.
 */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(req: Request, accepted: readonly string[]) {
    const search = req.originalUrl.indexOf('?');
    if (search < 0) return;
    for (const pair of req.originalUrl.slice(search + 1).split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = decode(equals < 0 ? pair : pair.slice(0, equals), 'a query parameter name');
      if (!accepted.includes(name)) {
        throw new InvalidRequestError(
          `unknown query parameter ${JSON.stringify(name.slice(0, 64))}; accepted: ${accepted.join(', ')}`,
        );
      }
      if (this.values.has(name)) throw new InvalidRequestError(`${name} must be given once`);
      this.values.set(name, equals < 0 ? '' : decode(pair.slice(equals + 1), name));
    }
  }

  /** The parameter's text, or undefined when it is absent. */
  text(name: string): string | undefined {
    return this.values.get(name);
  }

  /** true or false; undefined when absent. */
  flag(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new InvalidRequestError(`${name} must be true or false`);
    return value === 'true';
  }

  /** A whole number (at most 9 digits); undefined when absent. */
  count(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (!/^\d{1,9}$/.test(value)) throw new InvalidRequestError(`${name} must be a whole number`);
    return Number(value);
  }
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new InvalidRequestError(`${what} is not valid percent-encoded UTF-8`);
  }
}
