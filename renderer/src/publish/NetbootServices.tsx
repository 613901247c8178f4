import { useState, type FormEvent } from 'react';
import type { NetbootServeRequestInput } from '../../../shared/contract/index.js';
import { ConfirmDialog } from '../shell/ConfirmDialog.js';
import { controlProps, Field } from './Field.js';
import { KernelArgsEditor } from './KernelArgsEditor.js';
import { selectServing, useNetboot } from './netboot-store.js';

type Mode = 'proxy-dhcp' | 'dhcp' | 'tftp-only';

const modeHints: Record<Mode, string> = {
  'proxy-dhcp': 'Beside the lab\u2019s DHCP server: it keeps handing out addresses, dnsmasq adds the boot offer.',
  dhcp: 'On a private lab network: dnsmasq hands out addresses from the range too.',
  'tftp-only': 'The lab\u2019s DHCP server already names this host and pxelinux.0.',
};

/** The TFTP and HTTP services nodes boot from: start, restart, stop, and what each one logged last. */
export function NetbootServices() {
  const status = useNetboot((s) => s.status);
  const busy = useNetboot((s) => s.busy);
  const serving = useNetboot(selectServing);
  const serve = useNetboot((s) => s.serve);
  const stop = useNetboot((s) => s.stop);
  const given = status?.request;
  const [iface, setIface] = useState(given?.interface ?? '');
  const [mode, setMode] = useState<Mode>(given?.mode ?? 'proxy-dhcp');
  const [address, setAddress] = useState(given?.address ?? '');
  const [port, setPort] = useState(String(given?.httpPort ?? 8740));
  const [range, setRange] = useState(given?.dhcpRange ? `${given.dhcpRange.start},${given.dhcpRange.end}` : '');
  const [problem, setProblem] = useState<{ message: string; field: string | null } | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const [start, end] = range.split(',').map((part) => part.trim());
    const request: NetbootServeRequestInput = {
      interface: iface.trim(),
      mode,
      httpPort: Number(port),
      ...(address.trim() ? { address: address.trim() } : {}),
      ...(mode === 'dhcp' ? { dhcpRange: { start: start ?? '', end: end ?? '' } } : {}),
    };
    const outcome = await serve(request);
    setProblem(outcome.ok ? null : { message: outcome.message, field: outcome.field });
  }
  const fieldError = (field: string) => (problem && problem.field?.startsWith(field) ? problem.message : undefined);

  return (
    <section className="panel netboot" aria-labelledby="netboot-title" data-serving={serving}>
      <header className="panel__header">
        <h2 id="netboot-title" className="panel__title">Netboot services</h2>
        <span className="panel__meta">{status?.httpBase ? <>root images from <span className="mono">{status.httpBase}</span></> : 'not serving'}</span>
      </header>
      <form className="netboot__form" onSubmit={(event) => void submit(event)} aria-label="Netboot services">
        <Field id="nb-interface" label="Interface" error={fieldError('interface')} hint="The lab network’s interface on this host">
          <input {...controlProps('nb-interface', fieldError('interface'))} value={iface} onChange={(e) => setIface(e.target.value)} className="input mono" required />
        </Field>
        <Field id="nb-mode" label="Mode" hint={modeHints[mode]}>
          <select {...controlProps('nb-mode', undefined, modeHints[mode])} className="input" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="proxy-dhcp">proxy-DHCP</option>
            <option value="dhcp">DHCP</option>
            <option value="tftp-only">TFTP only</option>
          </select>
        </Field>
        <Field id="nb-address" label="Address (optional)" error={fieldError('address')} hint="Default: the interface’s first IPv4 address">
          <input {...controlProps('nb-address', fieldError('address'))} value={address} onChange={(e) => setAddress(e.target.value)} className="input mono" />
        </Field>
        <Field id="nb-port" label="HTTP port" error={fieldError('httpPort')}>
          <input {...controlProps('nb-port', fieldError('httpPort'))} value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" className="input mono" />
        </Field>
        {mode === 'dhcp' && (
          <Field id="nb-range" label="DHCP range" error={fieldError('dhcpRange')} hint="first,last such as 10.20.0.50,10.20.0.99">
            <input {...controlProps('nb-range', fieldError('dhcpRange'))} value={range} onChange={(e) => setRange(e.target.value)} className="input mono" />
          </Field>
        )}
        <div className="netboot__actions">
          <button type="submit" className="button button--primary" disabled={busy !== null}>
            {busy === 'serve' ? 'Starting…' : serving ? 'Restart' : 'Start'}
          </button>
          {serving && (
            <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => setConfirmStop(true)}>
              {busy === 'stop' ? 'Stopping…' : 'Stop'}
            </button>
          )}
        </div>
      </form>
      {problem && !problem.field && <p className="error" role="alert">{problem.message}</p>}
      {confirmStop && (
        <ConfirmDialog
          id="stop-netboot"
          title="Stop the netboot services?"
          detail="Nodes booting now lose their TFTP and HTTP server mid-boot; nodes that booted already are not affected."
          keepLabel="Keep serving"
          confirmLabel="Stop"
          onConfirm={() => void stop()}
          onClose={() => setConfirmStop(false)}
        />
      )}
      <KernelArgsEditor />
      <ul className="netboot__services" aria-label="Services">
        {(status?.services ?? []).map((service) => (
          <li key={service.name} data-service={service.name} data-running={service.running}>
            <span className={`badge ${service.running ? 'badge--ok' : 'badge--muted'}`}>{service.running ? 'running' : 'stopped'}</span>{' '}
            <strong>{service.name.toUpperCase()}</strong> <span className="mono">{service.program}{service.pid ? ` (pid ${service.pid})` : ''}</span>{' '}
            <span className="muted">{service.detail}</span>
            {service.logTail.length > 0 && (
              <details>
                <summary>Log</summary>
                <pre className="netboot__log mono" aria-label={`${service.name} log`}>{service.logTail.join('\n')}</pre>
              </details>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
