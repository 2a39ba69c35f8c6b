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
let cachedDefinition: protoLoader.PackageDefinition | undefined;

function packageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(
    ['envoy/service/auth/v3/external_auth.proto', 'envoy/service/ext_proc/v3/external_processor.proto'],
    loaderOptions,
  );
  return cachedDefinition;
}

export function loadEnvoyServices(): EnvoyServices {
  if (cached) return cached;
  const pkg = grpc.loadPackageDefinition(packageDefinition()) as any;
  cached = {
    authorization: pkg.envoy.service.auth.v3.Authorization.service,
    externalProcessor: pkg.envoy.service.ext_proc.v3.ExternalProcessor.service,
  };
  return cached;
}

/** proto-loader's definition of one method: path, streaming flags, (de)serializers (loaderOptions above). */
export type EnvoyMethod = protoLoader.MethodDefinition<object, object>;

export interface EnvoyMethods {
  /** `/envoy.service.auth.v3.Authorization/Check` (unary). */
  check: EnvoyMethod;
  /** `/envoy.service.ext_proc.v3.ExternalProcessor/Process` (bidi streaming). */
  process: EnvoyMethod;
}

/**
 * The ext_authz Check and ext_proc Process method definitions, from the same package definition as
 * loadEnvoyServices(): any transport using their requestDeserialize/responseSerialize decodes to the
 * very same JS objects as grpc-js does (keepCase, enums as strings, oneofs).
 */
export function loadEnvoyMethods(): EnvoyMethods {
  const def = packageDefinition();
  const service = (name: string) => def[name] as protoLoader.ServiceDefinition;
  return {
    check: service('envoy.service.auth.v3.Authorization')['Check'] as EnvoyMethod,
    process: service('envoy.service.ext_proc.v3.ExternalProcessor')['Process'] as EnvoyMethod,
  };
}
