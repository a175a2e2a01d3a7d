import type * as grpc from '@grpc/grpc-js';

/** Promisifies one unary call of a generated stub: `unary((done) => stub.Get({ key }, done))`. */
export function unary<Response>(start: (done: grpc.requestCallback<Response>) => void): Promise<Response> {
  return new Promise((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response!))));
}
