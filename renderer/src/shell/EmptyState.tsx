import type { ReactNode } from 'react';
import { ViewLink } from './ViewLink.js';

/** Where the missing thing is made: another view, or something this view opens (a dialog). */
export type EmptyAction = { label: string; view: string; item?: string | null } | { label: string; onClick(): void };

interface EmptyStateProps {
  /** What is missing, in a few words. */
  title: string;
  /** Why it matters here, or what to do. */
  children?: ReactNode;
  actions?: readonly EmptyAction[];
  /** `view`: the view's whole body is empty; `panel`: one panel in a view is. */
  size?: 'view' | 'panel';
  testId?: string;
}

/**
 * An empty view or panel that says what is missing and links to where it is
 * made, so an operator facing nothing has a next step.
 */
export function EmptyState({ title, children, actions = [], size = 'view', testId }: EmptyStateProps) {
  return (
    <div className={size === 'view' ? 'empty' : 'empty empty--panel'} data-testid={testId}>
      <p className="empty__title">{title}</p>
      {children && <p className="empty__text">{children}</p>}
      {actions.length > 0 && (
        <p className="empty__actions">
          {actions.map((action) =>
            'view' in action ? (
              <ViewLink key={action.label} view={action.view} item={action.item ?? null} className="button button--small">
                {action.label}
              </ViewLink>
            ) : (
              <button key={action.label} type="button" className="button button--small" onClick={action.onClick}>
                {action.label}
              </button>
            ),
          )}
        </p>
      )}
    </div>
  );
}
