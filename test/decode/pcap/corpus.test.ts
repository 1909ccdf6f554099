import { captureSuite } from "./suite.js";

captureSuite("pcap");
