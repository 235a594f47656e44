// One Dawn device per test file (tests/gpu). A missing adapter fails the test with a clear
// message; GPU tests never skip.
import { nodeGpu, NO_NODE_ADAPTER_HELP } from '../../src/gpu/node';
import { openGpu, type Gpu } from '../../src/gpu/device';

let opened: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  opened ??= (async () => {
    const gpu = await nodeGpu();
    try {
      return await openGpu(gpu);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${NO_NODE_ADAPTER_HELP}`);
    }
  })();
  return opened;
}
