// `node --import ./test/support/module-log.mjs ...`: appends the URL of every module the
// process loads to the file named by CROSSDOCK_MODULE_LOG (one a line), to show which code a
// command really loads.
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
