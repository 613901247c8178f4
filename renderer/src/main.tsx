import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { wireStores } from './app/wire-stores.js';
import { connectHost } from './host/host.js';
import { Shell } from './shell/Shell.js';
import './styles.css';

wireStores(connectHost());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Shell />
  </StrictMode>,
);
