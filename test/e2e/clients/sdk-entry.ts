// Child-process entry for clients/sdk.ts: the @aws-sdk/client-s3 scenarios against the target in
// BG_SDK_TARGET, run by node:test in this process (started with the run's CA and resolver settings).
import { defineSdkScenarios, type Target } from '../scenarios/sdk-ops.ts';

const raw = process.env.BG_SDK_TARGET;
if (!raw) throw new Error('BG_SDK_TARGET is not set: this file is started by clients/sdk.ts');
const target = JSON.parse(raw) as Target;
defineSdkScenarios(() => target, 'sdk');
