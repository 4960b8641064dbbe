import {backendSuite} from './suite.js'

backendSuite('epoll')
