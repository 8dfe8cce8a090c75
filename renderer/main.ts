import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { getApi } from './api/index.ts';
import { routeEvents } from './events.ts';
import { useSessionStore } from './stores/session.ts';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
routeEvents(getApi());
void useSessionStore().load();
app.mount('#app');
