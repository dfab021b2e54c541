import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createHttpApi, createIpcApi, takeToken } from './api/client.ts';
import { connect, useApp } from './store.ts';
import './styles.css';

function boot(): void {
  if (window.thetadesk) {
    connect(createIpcApi(window.thetadesk));
    return;
  }
  const token = takeToken();
  if (!token) {
    useApp.setState({ apiProblem: 'No access token. Open the URL the Thetadesk server printed at start (it ends with #token=…).', stream: 'closed' });
    return;
  }
  connect(createHttpApi(window.location.origin, token, (state) => useApp.setState({ stream: state === 'open' ? 'open' : 'closed' })));
}

// The theme's CSS variables in force before the first render: charts read them when they mount.
document.documentElement.dataset.theme = useApp.getState().theme;
boot();
createRoot(document.getElementById('root')!).render(<App />);
