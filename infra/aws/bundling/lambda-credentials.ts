/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (see BUNDLING in ../functions.ts).
 * Lambda always hands a function its role's credentials in the environment, so the SDK's
 * default chain (SSO, profiles, web identity, IMDS, containers) is dead weight there: about
 * 90 KB of bundle, and its IMDS module's `import "node:http"` alone costs ~40 ms of cold start
 * (Node materializes every lazy export of the builtin, loading undici).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
