import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { getApi } from './api/index.ts';
import { routeEvents } from './events.ts';
import { useSessionStore } from './stores/session.ts';
import { applyTheme } from './theme.ts';
import './styles/index.css';

const app = createApp(App);
app.use(createPinia());
routeEvents(getApi());
applyTheme();
void useSessionStore().load();
app.mount('#app');
