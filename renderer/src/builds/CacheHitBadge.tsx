export function CacheHitBadge() {
  return (
    <span className="badge badge--info" title="The artifacts of an earlier build of the same spec were reused">
      cache hit
    </span>
  );
}
