/**
 * Property tests explore new random cases on every local run; CI (CI=true) uses a fixed seed so a
 * landing never depends on the draw. Reproduce any failure with FC_SEED=<seed printed by fast-check>.
 */
import fc from 'fast-check';

const fromEnv = process.env.FC_SEED;
if (fromEnv !== undefined && fromEnv !== '') fc.configureGlobal({ seed: Number(fromEnv) });
else if (process.env.CI === 'true') fc.configureGlobal({ seed: 20_261_122 });
