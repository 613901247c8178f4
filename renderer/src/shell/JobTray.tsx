import './job-tray.css';
import { useEffect, useId, useMemo, useState } from 'react';
import { useApps } from '../apps/apps-store.js';
import { useBuilds } from '../builds/builds-store.js';
import { JobProgress } from '../jobs/JobProgress.js';
import { formatTime } from '../lib/format.js';
import { useDeploy } from '../publish/deploy-store.js';
import type { Activity } from './activity.js';
import { useActivity } from './activity-store.js';
import { askForNotifications, notificationState, onNotificationClick, type NotificationState } from './job-notifications.js';
import { useRoute } from './route-store.js';

const statusWord: Record<Activity['status'], string> = { running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled', stopped: 'stopped' };
const statusTone: Record<Activity['status'], string> = { running: 'badge--run', succeeded: 'badge--ok', failed: 'badge--bad', cancelled: 'badge--warn', stopped: 'badge--warn' };

/** Goes to the job: its view, with it selected (a boot test is shown in its build). */
function openActivity(activity: Activity): void {
  useActivity.getState().see(activity.key);
  useRoute.getState().go(activity.view, activity.kind === 'boot' ? activity.buildId : activity.id);
  if (activity.kind === 'build') void useBuilds.getState().select(activity.id);
  else if (activity.kind === 'boot' && activity.buildId) void useBuilds.getState().select(activity.buildId);
  else if (activity.kind === 'deploy') void useDeploy.getState().select(activity.id);
  else if (activity.kind === 'app') void useApps.getState().select(activity.id);
}
onNotificationClick(openActivity);

function TrayItem({ activity, onOpen }: { activity: Activity; onOpen: () => void }) {
  return (
    <li className={`tray__item${activity.seen ? '' : ' tray__item--new'}`} data-key={activity.key} data-status={activity.status}>
      <button type="button" className="tray__open" onClick={onOpen}>
        <span className="tray__title">{activity.title}</span>
        <span className={`badge ${statusTone[activity.status]}`}>{statusWord[activity.status]}</span>
      </button>
      {activity.status === 'running' && activity.steps && activity.steps.length > 0 ? (
        <JobProgress steps={activity.steps} startedAt={activity.startedAt} expected={activity.expectedStepMs} label={activity.title} compact />
      ) : (
        <span className="tray__meta muted">
          {activity.status === 'running' ? `started ${formatTime(activity.startedAt)}` : `ended ${formatTime(activity.finishedAt ?? activity.startedAt)}`}
          {!activity.seen && <span className="tray__new"> · new</span>}
        </span>
      )}
    </li>
  );
}

/**
 * The jobs of every view in one place: running ones with their progress,
 * finished ones until seen. It opens over the view, and closes on Escape,
 * on a second click, or when a job is opened.
 */
export function JobTray() {
  const items = useActivity((s) => s.items);
  const [open, setOpen] = useState(false);
  const [permission, setPermission] = useState<NotificationState>(notificationState);
  const panelId = useId();
  const running = useMemo(() => items.filter((a) => a.status === 'running').length, [items]);
  const unseen = useMemo(() => items.filter((a) => a.status !== 'running' && !a.seen).length, [items]);

  useEffect(() => {
    if (!open) return;
    const close = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [open]);

  const summary = [running > 0 ? `${running} running` : null, unseen > 0 ? `${unseen} new` : null].filter(Boolean).join(' · ') || 'none running';
  return (
    <div className="tray">
      <button type="button" className={`tray__toggle${unseen > 0 ? ' tray__toggle--new' : ''}`} aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        <span>Jobs</span>
        <span className="tray__summary" data-testid="tray-summary">{summary}</span>
      </button>
      {open && (
        <section id={panelId} className="tray__panel" aria-label="Jobs">
          {items.length === 0 ? (
            <p className="muted">No jobs since the console opened. Builds, deploys, boot tests and application runs show here while they run, and when they end.</p>
          ) : (
            <ul className="tray__list">
              {items.map((activity) => (
                <TrayItem
                  key={activity.key}
                  activity={activity}
                  onOpen={() => {
                    openActivity(activity);
                    setOpen(false);
                  }}
                />
              ))}
            </ul>
          )}
          {permission === 'default' && (
            <button type="button" className="button tray__notify" onClick={() => void askForNotifications().then(setPermission)}>
              Notify me on this desktop when a job ends
            </button>
          )}
          {permission === 'denied' && <p className="muted tray__notify">Desktop notifications are blocked for this page (the browser’s site settings can allow them).</p>}
        </section>
      )}
    </div>
  );
}
