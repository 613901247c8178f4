// First: zod must know it may not compile schemas before any module parses with it.
import './zod-jitless.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { wireStores } from './app/wire-stores.js';
import { connectBackend } from './connection/backend.js';
import { followDeepLinks } from './shell/deep-links.js';
import { Shell } from './shell/Shell.js';
import './styles.css';

wireStores(connectBackend());
followDeepLinks();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Shell />
  </StrictMode>,
);
