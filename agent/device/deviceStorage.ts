import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { deliveriesSchema } from '../protocol/enrollment';

/**
 * What survives a power cycle: the model's persisted snapshot plus what the device learnt from the
 * enrollment service. A staged device switched off and on again is still staged.
 */
export const deviceMemorySchema = z.object({
  snapshot: z.unknown(),
  wifiConnected: z.boolean(),
  deviceName: z.string().nullable(),
  deliveries: deliveriesSchema.nullable(),
});
export type DeviceMemory = z.infer<typeof deviceMemorySchema>;

export interface DeviceStorage {
  load(serialNumber: string): DeviceMemory | undefined;
  /**
   * Keeps `memory` as it is now. The device never changes a memory it saved (it saves a new one), and
   * its `snapshot` may be a getter that works the persisted form out when read.
   */
  save(serialNumber: string, memory: DeviceMemory): void;
  erase(serialNumber: string): void;
}

export class MemoryDeviceStorage implements DeviceStorage {
  private readonly memories = new Map<string, DeviceMemory>();

  load(serialNumber: string): DeviceMemory | undefined {
    const memory = this.memories.get(serialNumber);
    // Through JSON, so a restored device never shares objects with the one that saved it.
    return memory === undefined ? undefined : deviceMemorySchema.parse(JSON.parse(JSON.stringify(memory)));
  }

  save(serialNumber: string, memory: DeviceMemory): void {
    // Serialized on load, not here: a device saves on every transition and is restored rarely.
    this.memories.set(serialNumber, memory);
  }

  erase(serialNumber: string): void {
    this.memories.delete(serialNumber);
  }
}

/** One JSON file per device in a folder, written atomically (write then rename). */
export class FileDeviceStorage implements DeviceStorage {
  constructor(private readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  private file(serialNumber: string): string {
    return join(this.directory, `${serialNumber}.json`);
  }

  load(serialNumber: string): DeviceMemory | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(serialNumber), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return deviceMemorySchema.parse(JSON.parse(text));
  }

  save(serialNumber: string, memory: DeviceMemory): void {
    const target = this.file(serialNumber);
    writeFileSync(`${target}.tmp`, JSON.stringify(memory));
    renameSync(`${target}.tmp`, target);
  }

  erase(serialNumber: string): void {
    rmSync(this.file(serialNumber), { force: true });
  }
}
