// Loads Envoy's ext_authz and ext_proc service definitions from the protos shipped in the
// @grpc/grpc-js-xds registry package (never copied into this repo).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
const depsDir = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(depsDir, d));

const loaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs,
};

export interface EnvoyServices {
  authorization: grpc.ServiceDefinition;
  externalProcessor: grpc.ServiceDefinition;
}

let cached: EnvoyServices | undefined;

export function loadEnvoyServices(): EnvoyServices {
  if (cached) return cached;
  const def = protoLoader.loadSync(
    ['envoy/service/auth/v3/external_auth.proto', 'envoy/service/ext_proc/v3/external_processor.proto'],
    loaderOptions,
  );
  const pkg = grpc.loadPackageDefinition(def) as any;
  cached = {
    authorization: pkg.envoy.service.auth.v3.Authorization.service,
    externalProcessor: pkg.envoy.service.ext_proc.v3.ExternalProcessor.service,
  };
  return cached;
}
