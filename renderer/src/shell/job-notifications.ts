import type { Activity } from './activity.js';

/**
 * Desktop notifications for jobs that end while the operator looks elsewhere.
 * The web Notification API serves both fronts: Electron shows it as a native
 * notification (its main process grants this one permission, nothing else),
 * a browser asks its user once, from a click in the tray (browsers refuse
 * the question outside a click).
 */
export type NotificationState = 'granted' | 'denied' | 'default' | 'unsupported';

const api = () => (typeof Notification === 'undefined' ? null : Notification);

export function notificationState(): NotificationState {
  return api()?.permission ?? 'unsupported';
}

export async function askForNotifications(): Promise<NotificationState> {
  const notification = api();
  if (!notification) return 'unsupported';
  return notification.requestPermission();
}

const outcome: Record<Activity['status'], string> = { running: 'is running', succeeded: 'succeeded', failed: 'failed', cancelled: 'was cancelled', stopped: 'was stopped' };

/** What the tray does when a notification is clicked: open the job. */
let openJob: ((activity: Activity) => void) | null = null;
export function onNotificationClick(open: (activity: Activity) => void): void {
  openJob = open;
}

export function notifyEnded(activity: Activity): void {
  const notification = api();
  if (!notification || notification.permission !== 'granted') return;
  try {
    const shown = new notification(`${activity.title} ${outcome[activity.status]}`, { body: activity.error ?? activity.id, tag: activity.key });
    shown.onclick = () => {
      window.focus();
      openJob?.(activity);
    };
  } catch {
    // Some platforms refuse page notifications (Android Chrome wants a service worker): the tray and the title still say it.
  }
}
