import { useMemo } from 'react';
import { useDeploy } from './deploy-store.js';

/** The image a deploy started from, by its catalog name when the catalog still lists it. */
export function useImageName(): (ref: string, path: string) => string {
  const images = useDeploy((s) => s.catalog?.images);
  return useMemo(() => {
    const names = new Map((images ?? []).map((i) => [i.ref, i.name]));
    return (ref, path) => names.get(ref) ?? path.split('/').slice(-2).join('/');
  }, [images]);
}
