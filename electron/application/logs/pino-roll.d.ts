/**
 * Type declarations for pino-roll 4 (the package ships none): the stream factory, used in this thread
 * (electron/application/logs/file.ts), not as a worker transport. Only the options we use are declared.
 */
declare module 'pino-roll' {
  import type { SonicBoom, SonicBoomOpts } from 'sonic-boom';

  type PinoRollOptions = Omit<SonicBoomOpts, 'fd' | 'dest'> & {
    /** Base path; files are `<file>.<date>.<n>.<extension>`. */
    file: string;
    /** Roll when a file reaches this size ('20m', '2k', '500b'). */
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    /** date-fns format of the date in the file name. */
    dateFormat?: string;
    /** Keep `count` files; with `removeOtherLogFiles`, also those earlier runs created. */
    limit?: { count: number; removeOtherLogFiles?: boolean };
  };

  /** The sonic-boom stream, with the two fields sonic-boom's own types leave out. */
  export type RollingStream = SonicBoom & { readonly file: string; readonly destroyed: boolean };

  export default function pinoRoll(options: PinoRollOptions): Promise<RollingStream>;
}
