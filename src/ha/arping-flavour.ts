// Which `arping` is on PATH. The VIP speaks iputils' arping (-D duplicate-address probe exiting
// 1 on an answer, -U unsolicited ARP, -I interface). Debian's plain `arping` package is another
// program (Thomas Habets'): there -D only changes the display and -I is not the interface, so
// every promotion would fail with "the address already answers ARP". The agent asks once at
// start-up (`arping -V`) and refuses a VIP with anything but iputils'.
import { execFileRunner, type CommandResult, type CommandRunner } from './command-runner.js';

export const ArpingFlavour = {
  Iputils: 'iputils',
  /** Thomas Habets' arping (Debian/Ubuntu package `arping`). */
  Habets: 'habets',
  Missing: 'missing',
  Unknown: 'unknown',
} as const;
export type ArpingFlavour = (typeof ArpingFlavour)[keyof typeof ArpingFlavour];

/**
 * From `arping -V`: iputils prints "arping from iputils 20221126" (older: "arping utility,
 * iputils-s20180629") and exits 0; Habets' takes -V as "VLAN" and prints its usage, whose first
 * line is "ARPing 2.23, by Thomas Habets", exiting 1.
 */
export function arpingFlavourOf(r: CommandResult): ArpingFlavour {
  if (r.error !== undefined && /not found|ENOENT/.test(r.error)) return ArpingFlavour.Missing;
  const text = `${r.stdout}\n${r.stderr}`;
  if (/iputils/i.test(text)) return ArpingFlavour.Iputils;
  if (/Habets/i.test(text)) return ArpingFlavour.Habets;
  return ArpingFlavour.Unknown;
}

export async function detectArpingFlavour(runner: CommandRunner = execFileRunner()): Promise<{ flavour: ArpingFlavour; output: string }> {
  const r = await runner.run(['arping', '-V'], { timeoutMs: 5000 });
  const output = (r.error ?? `${r.stdout}${r.stderr}`).trim().split('\n')[0] ?? '';
  return { flavour: arpingFlavourOf(r), output };
}

/** The configuration problem a VIP has with this arping, or undefined when it is iputils'. */
export function arpingProblem(flavour: ArpingFlavour, output: string): string | undefined {
  const install = "install iputils' arping: apt-get install iputils-arping (on Debian/Ubuntu it replaces the package `arping`)";
  switch (flavour) {
    case ArpingFlavour.Iputils:
      return undefined;
    case ArpingFlavour.Habets:
      return `vip: the arping on PATH is Thomas Habets' arping (${JSON.stringify(output)}), whose flags and exit codes differ from iputils': every promotion would fail — ${install}`;
    case ArpingFlavour.Missing:
      return `vip: no arping on PATH (the VIP needs it for the duplicate-address probe and gratuitous ARP) — ${install}`;
    case ArpingFlavour.Unknown:
      return `vip: \`arping -V\` did not name iputils (${JSON.stringify(output)}): the VIP needs iputils' arping — ${install}`;
    default: {
      const never: never = flavour;
      return `vip: unknown arping flavour ${String(never)}`;
    }
  }
}

/** Start-up check of a node with a VIP: the problem to refuse with, or undefined. */
export async function checkArpingForVip(runner?: CommandRunner): Promise<string | undefined> {
  const { flavour, output } = await detectArpingFlavour(runner);
  return arpingProblem(flavour, output);
}
