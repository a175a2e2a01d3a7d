import Ajv2020 from 'ajv/dist/2020';
import { OPENAPI_DOCUMENT } from '../../api/openapi';

/** The id under which the OpenAPI document is known to the validator. */
const DOCUMENT_ID = 'kvs-openapi';

/**
 * A JSON Schema 2020-12 validator (ajv: OpenAPI 3.1's dialect) that knows the OpenAPI document,
 * so `{ $ref: documentRef('components', 'schemas', 'TxnRequest') }` validates as the document says.
 */
export function openApiValidator(options: { allErrors: boolean }): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: options.allErrors });
  // The document's own fields are not JSON Schema keywords: ajv is told to leave them be.
  for (const field of Object.keys(OPENAPI_DOCUMENT)) ajv.addKeyword(field);
  ajv.addSchema({ $id: DOCUMENT_ID, ...OPENAPI_DOCUMENT });
  return ajv;
}

/** The reference of the part of the document at a path of property names, e.g. ('components', 'schemas', 'Entry'). */
export function documentRef(...path: string[]): string {
  const pointer = path.map((name) => encodeURIComponent(name.replaceAll('~', '~0').replaceAll('/', '~1')));
  return `${DOCUMENT_ID}#/${pointer.join('/')}`;
}
