import { Fragment } from 'react';
import type { Artifact } from '../../../shared/contract/index.js';
import { formatBytes } from '../lib/format.js';

/** A path that wraps only between its parts. */
function PathText({ path }: { path: string }) {
  return path.split(/(?=\/)/).map((part, index) => (
    <span key={index}>
      {index > 0 && <wbr />}
      {part}
    </span>
  ));
}

/** What a succeeded build published: where, how big, and the checksums to verify it by. */
export function ArtifactTable({ artifacts, metadataPath }: { artifacts: readonly Artifact[]; metadataPath: string | null }) {
  return (
    <section className="artifacts" aria-labelledby="artifacts-title">
      <h3 id="artifacts-title" className="panel__title">Artifacts</h3>
      <div className="artifacts__scroll">
        <table className="table table--compact" aria-label="Artifacts">
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">Path</th>
              <th scope="col">Container</th>
              <th scope="col" className="num">Raw size</th>
              <th scope="col" className="num">Container size</th>
              <th scope="col">MD5</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((artifact) => (
              <Fragment key={artifact.path}>
                <tr data-artifact={artifact.image} className={artifact.container === 'gzip' ? 'artifacts__file' : undefined}>
                  <th scope="row" className="mono">{artifact.image}</th>
                  <td className="mono path" title={artifact.path}><PathText path={artifact.path} /></td>
                  <td>{artifact.container}</td>
                  <td className="num mono nowrap">{formatBytes(artifact.rawSize)}</td>
                  <td className="num mono nowrap">{formatBytes(artifact.containerSize)}</td>
                  <td data-checksum="md5"><code className="hash">{artifact.containerMd5}</code></td>
                  <td data-checksum="sha256"><code className="hash">{artifact.containerSha256}</code></td>
                </tr>
                {artifact.container === 'gzip' && (
                  // The image inside the gzip file has checksums of its own: what a deploy verifies after unpacking.
                  <tr className="artifacts__raw" data-artifact-raw={artifact.image}>
                    <td colSpan={5} className="num">uncompressed {artifact.image} image</td>
                    <td data-checksum="raw-md5"><code className="hash">{artifact.rawMd5}</code></td>
                    <td data-checksum="raw-sha256"><code className="hash">{artifact.rawSha256}</code></td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
          {metadataPath && (
            <tfoot>
              <tr>
                <th scope="row">Metadata</th>
                <td colSpan={6} className="mono" data-metadata>
                  {metadataPath}
                </td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </section>
  );
}
