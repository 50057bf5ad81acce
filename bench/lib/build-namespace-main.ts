// Helper process: `node build-namespace-main.js NAME_DIR FILES` fills a formatted name dir.
import { buildNamespace } from './namespace-builder.js';

const [nameDir, files] = process.argv.slice(2);
if (nameDir === undefined || !(Number(files) > 0)) {
  process.stderr.write('usage: build-namespace-main.js NAME_DIR FILES\n');
  process.exit(255);
}
await buildNamespace(nameDir, Number(files));
