import { z } from 'zod';

/*
 * zod compiles object schemas with `new Function` when it may. The renderer's CSP
 * (script-src 'self', no 'unsafe-eval') forbids that, and zod's probe for it is
 * reported as a CSP violation at every page load even though zod swallows the
 * error. Jitless mode skips the probe; the CSP stays as strict as it is. Imported
 * first by main.tsx, before any schema parses anything.
 */
z.config({ jitless: true });
