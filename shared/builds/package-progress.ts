/** How far a package step is, in the tools' own counts. */
export interface PackageProgress {
  done: number;
  total: number;
  /** "configured 45 of 90 packages": the step's progress line. */
  message: string;
}

/**
 * Reads debootstrap's and apt-get's own output, line by line, and says how
 * far the step is in packages, so a progress bar moves with the work instead
 * of with the clock.
 *
 * debootstrap names each package as it retrieves, unpacks and configures
 * it (its `functions`: `download_release`, `p_unpack`, `p_configure`); a build from the cached
 * tarball (`--unpack-tarball`) skips the download phases. apt-get says
 * "N newly installed" before it starts, then "Unpacking P" and "Setting up P"
 * per package (dpkg's own lines). Each package counts once per phase seen.
 * mmdebstrap (--verbose) shows dpkg's lines too, but several apt plans (the
 * essential set, then the rest): its total is the set the helper announced.
 */
export class PackageProgressReader {
  private readonly seen = { retrieving: new Set<string>(), unpacking: new Set<string>(), configuring: new Set<string>() };
  private aptTotal: number | null = null;
  /** mmdebstrap's set, as the helper counted it before the run ("mmdebstrap: 88 verified .deb(s) …"). */
  private bootTotal: number | null = null;
  private last: string | null = null;

  constructor(private readonly tool: 'debootstrap' | 'apt') {}

  /** The new progress if this line moved it, else null. */
  line(text: string): PackageProgress | null {
    if (!this.read(text)) return null;
    const progress = this.progress();
    const key = progress && `${progress.done}/${progress.total} ${progress.message}`;
    if (!progress || key === this.last) return null;
    this.last = key;
    return progress;
  }

  private read(text: string): boolean {
    if (this.tool === 'apt') {
      const planned = /^\d+ upgraded, (\d+) newly installed/.exec(text);
      if (planned) {
        this.aptTotal = Number(planned[1]);
        return true;
      }
      const step = /^(Unpacking|Setting up) (\S+)/.exec(text);
      if (!step) return false;
      (step[1] === 'Unpacking' ? this.seen.unpacking : this.seen.configuring).add(step[2]!);
      return true;
    }
    const announced = /^mmdebstrap: (\d+) verified \.deb/.exec(text);
    if (announced) {
      this.bootTotal = Number(announced[1]);
      return true;
    }
    // dpkg under mmdebstrap: "Unpacking libc6:amd64 (2.36-9) ...", "Setting up libc6:amd64 (2.36-9) ...".
    const dpkgLine = /^(Unpacking|Setting up) ([^\s:]+)(?::\S+)? \(/.exec(text);
    if (dpkgLine) {
      (dpkgLine[1] === 'Unpacking' ? this.seen.unpacking : this.seen.configuring).add(dpkgLine[2]!);
      return true;
    }
    // "I: Retrieving libc6 2.36-9" (a package has a version; "Retrieving Packages " has none).
    const phase = /^I: (Retrieving|Unpacking|Configuring) ([^\s.]\S*?)(?:\.\.\.| \S+)$/.exec(text.trimEnd());
    // "I: Unpacking required packages..." announces a phase, it is not a package.
    if (!phase || phase[2] === 'required') return false;
    const set = { Retrieving: this.seen.retrieving, Unpacking: this.seen.unpacking, Configuring: this.seen.configuring }[phase[1] as 'Retrieving' | 'Unpacking' | 'Configuring'];
    set.add(phase[2]!.replace(/:[a-z0-9]+$/, ''));
    return true;
  }

  private progress(): PackageProgress | null {
    const { retrieving, unpacking, configuring } = this.seen;
    if (this.tool === 'apt') {
      if (this.aptTotal === null || this.aptTotal === 0) return null;
      return this.counted(this.aptTotal, 'set up');
    }
    // Downloads name each package as they go, so the total is known only once unpacking starts (or never,
    // from the cached tarball): until then the count is shown without a fraction.
    if (unpacking.size + configuring.size === 0) return retrieving.size > 0 ? { done: 0, total: 0, message: `retrieved ${retrieving.size} packages` } : null;
    const total = retrieving.size || (this.bootTotal ?? 0);
    if (total === 0) return { done: 0, total: 0, message: `unpacked ${unpacking.size}, configured ${configuring.size} packages` };
    return this.counted(total, 'configured');
  }

  /** Each package counts once unpacked and once configured (set up). */
  private counted(total: number, configuredWord: string): PackageProgress {
    const unpacked = Math.min(this.seen.unpacking.size, total);
    const configured = Math.min(this.seen.configuring.size, total);
    const message = configured > 0 || unpacked === 0 ? `${configuredWord} ${configured} of ${total} packages` : `unpacked ${unpacked} of ${total} packages`;
    return { done: unpacked + configured, total: 2 * total, message };
  }
}
