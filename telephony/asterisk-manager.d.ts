// Types for asterisk-manager 0.2.0 (the package ships none). Only what amiConnection.ts uses.
declare module "asterisk-manager" {
  /** A parsed AMI block: keys lower-cased, repeated keys as arrays, Variable: as an object. */
  export type RawAmiBlock = Record<string, string | string[] | Record<string, string> | undefined>;

  export interface AmiManager {
    options: { port: number | undefined; host: string; username: string; password: string; events: boolean };
    on(event: "managerevent" | "response" | "asterisk", fn: (block: RawAmiBlock) => void): AmiManager;
    on(event: "connect" | "close" | "end", fn: () => void): AmiManager;
    on(event: "error", fn: (err: Error) => void): AmiManager;
    on(event: string, fn: (...args: any[]) => void): AmiManager;
    once(event: string, fn: (...args: any[]) => void): AmiManager;
    removeAllListeners(event?: string): AmiManager;
    connect(port: number, host: string, callback?: (err: Error | null) => void): void;
    login(callback?: (err?: RawAmiBlock) => void): void;
    /** Sends an action; the callback gets (errorBlock, responseBlock) for the immediate Response. */
    action(action: Record<string, string | number | undefined>, callback?: (err: RawAmiBlock | undefined, res: RawAmiBlock) => void): string;
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
  }

  function Manager(port?: number, host?: string, username?: string, password?: string, events?: boolean): AmiManager;
  export default Manager;
}
