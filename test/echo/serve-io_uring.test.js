import {backendSuite} from './suite.js'

backendSuite('io_uring')
