// Build the front-end assets into buurtbalans/static/build: the NL Design System component CSS
// (Utrecht component library, EUPL-1.2) and the open "voorbeeld" theme tokens (EUPL-1.2).
// No bundler needed: the packages ship ready CSS; we copy what the templates link.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "buurtbalans", "static", "build");
mkdirSync(out, { recursive: true });

const files = [
  ["@utrecht/component-library-css/dist/index.css", "nlds-components.css"],
  ["@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css", "nlds-theme.css"],
];
for (const [source, target] of files) {
  copyFileSync(join(root, "node_modules", source), join(out, target));
  console.log(`assets: ${target}`);
}
