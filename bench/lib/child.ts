// Runs a TypeScript entry point as a child process (so its CPU and memory are its own),
// waits for its "READY <url>" line, samples its resident memory, and stops it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { rootDir } from "../../src/config.ts";

export interface Child {
  proc: ChildProcess;
  pid: number;
  url: string;
  /** Current resident set (MB). */
  rssMb(): number;
  /** Peak resident set since start (VmHWM, MB). */
  peakRssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves when the child exits by itself or is killed. */
  exited: Promise<number | null>;
  stderr(): string;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The node flags `npm start` runs the platform with (package.json config.nodeFlags: the heap cap). */
export const APP_NODE_FLAGS: string[] = String(JSON.parse(readFileSync(path.join(rootDir, "package.json"), "utf8")).config?.nodeFlags ?? "")
  .split(" ")
  .filter(Boolean);

/**
 * Starts `entry` with the platform's node flags; BENCH_NODE_ARGS (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof") adds to them, for profiling.
 */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
  nodeArgs: string[] = [...APP_NODE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean)],
): Promise<Child> {
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(rootDir, entry)], {
    cwd: rootDir,
    env: { ...process.env, LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr!.on("data", (c: Buffer) => {
    err = (err + c.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in ${timeoutMs} ms: ${err}`)), timeoutMs);
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = out.match(/READY (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready: ${err}`));
    });
  });
  const pid = proc.pid!;
  return {
    proc,
    pid,
    url,
    rssMb: () => statusKb(pid, "VmRSS") / 1024,
    peakRssMb: () => statusKb(pid, "VmHWM") / 1024,
    exited,
    stderr: () => err,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
