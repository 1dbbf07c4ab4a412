// `import 'webcodecs-streams/global'`: the WebCodecs classes on globalThis, where missing.
import { register } from './register.js';

register();
