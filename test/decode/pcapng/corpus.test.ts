import { captureSuite } from "../pcap/suite.js";

captureSuite("pcapng");
