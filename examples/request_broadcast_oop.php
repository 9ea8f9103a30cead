<?php
class WebSocketServer
{
    public $server;

    public function __construct()
    {
        $this->server = new Swoole\WebSocket\Server("0.0.0.0", 9501);
        $this->server->on('open', function (Swoole\WebSocket\Server $server, $request) {
            echo "server: handshake success with fd{$request->fd}\n";
        });
        $this->server->on('message', function (Swoole\WebSocket\Server $server, $frame) {
            echo "receive from {$frame->fd}:{$frame->data},opcode:{$frame->opcode},fin:{$frame->finish}\n";
            $server->push($frame->fd, "this is server");
        });
        $this->server->on('close', function ($ser, $fd) {
            echo "client {$fd} closed\n";
        });
        $this->server->on('request', function ($request, $response) {
            // Récupérer la valeur du paramètre 'message' de la demande HTTP pour la diffusion aux utilisateurs
            // $this->server->connections itère sur tous les fd des connexions websocket des utilisateurs, pour pousser à tous les utilisateurs
            foreach ($this->server->connections as $fd) {
                // Il faut d'abord vérifier si c'est une connexion websocket correcte, sinon il pourrait y avoir un échec de la poussée
                if ($this->server->isEstablished($fd)) {
                    $this->server->push($fd, $request->get['message']);
                }
            }
        });
        $this->server->start();
    }
}

new WebSocketServer();
