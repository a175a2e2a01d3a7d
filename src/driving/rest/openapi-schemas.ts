import Ajv2020 from 'ajv/dist/2020';
import { OPENAPI_DOCUMENT } from '../../api/openapi';

/** The id under which the OpenAPI document's components are known to the validator. */
const DOCUMENT_ID = 'kvs-openapi';

/**
 * A JSON Schema 2020-12 validator (ajv, OpenAPI 3.1's dialect) that knows the OpenAPI document's
 * components, so `{ $ref: componentRef('schemas', 'TxnRequest') }` validates as the document says.
 * Only the components are registered: the document's other fields are not JSON Schema.
 */
export function openApiValidator(options: { allErrors: boolean }): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: options.allErrors });
  // The keywords of the wrapper object that holds the components (not schemas themselves).
  ajv.addKeyword('components');
  ajv.addSchema({ $id: DOCUMENT_ID, components: OPENAPI_DOCUMENT.components });
  return ajv;
}

/** The reference of one component of the document, e.g. ('schemas', 'TxnRequest'). */
export function componentRef(section: 'schemas' | 'headers' | 'responses', name: string): string {
  return `${DOCUMENT_ID}#/components/${section}/${encodeURIComponent(name)}`;
}
