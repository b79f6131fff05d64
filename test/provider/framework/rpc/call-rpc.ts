import type * as grpc from '@grpc/grpc-js';
import { ProviderService } from '../../../../provider/src/framework/rpc/provider-service';

/** Calls one Provider RPC of a ProviderService in process, as grpc-js would. */
export function callRpc(service: ProviderService<any>, name: string, request: object): Promise<any> {
  const implementation = service.grpcImplementation()[name] as (call: object, callback: grpc.sendUnaryData<object>) => void;
  return new Promise((resolve, reject) => implementation({ request }, (error, response) => (error ? reject(error) : resolve(response))));
}
