// Moved to src/lib/node20.ts (product code: `status` needs it in the installed package); kept so
// existing imports of the e2e tooling keep working.
import '../../src/lib/node20.ts';
