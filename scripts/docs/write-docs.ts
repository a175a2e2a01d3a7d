import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_DOC, renderConfigurationDoc } from './configuration-doc';
import { ERRORS_DOC, renderErrorsDoc } from './errors-doc';

// `npm run docs`: regenerates the generated pages of docs/ from the code they describe.
const root = join(__dirname, '../../../../..');
for (const [file, text] of [
  [ERRORS_DOC, renderErrorsDoc()],
  [CONFIGURATION_DOC, renderConfigurationDoc()],
]) {
  writeFileSync(join(root, file), text);
  process.stdout.write(`wrote ${file}\n`);
}
