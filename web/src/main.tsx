import '@mantine/core/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadPage } from './App';
import { initI18n } from './i18n/i18n';
import { session } from './api/session';

initI18n();
// Silent sign-in from the refresh cookie, started before the first render.
void session.refresh();
preloadPage(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
