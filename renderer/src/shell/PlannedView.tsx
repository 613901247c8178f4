import type { ViewInfo } from './views.js';

export function PlannedView({ view }: { view: ViewInfo }) {
  return (
    <section className="view" aria-labelledby="view-title">
      <header className="view__header">
        <h1 id="view-title">{view.label}</h1>
      </header>
      <div className="empty">
        <p className="empty__title">Not available yet</p>
        <p>{view.planned}</p>
      </div>
    </section>
  );
}
