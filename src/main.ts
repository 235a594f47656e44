import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { exposeConsole } from './console';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
exposeConsole();
export default mount(App, { target });
